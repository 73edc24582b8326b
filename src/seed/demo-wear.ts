// Demo categories worn on the body: jackets, footwear, apparel and accessories.

import { apparelSizeAxis, colorAxis, shoeSizeAxis, type CategorySpec } from './demo-vocabulary.ts';

export const jackets: CategorySpec = {
  category: {
    slug: 'jackets',
    name: 'Jackets',
    description: 'Shells, insulation and rain layers for weather that changes its mind.',
    position: 1,
  },
  skuPrefix: 'JKT',
  openers: [
    'The {title} is the layer you reach for when the forecast stops making promises.',
    'Meet the {title}: {aNoun} cut for moving, not for standing still.',
    'The {title} keeps weather on the outside and you on the trail.',
    'Designed on long, wet approaches, the {title} is {aNoun} that earns its keep.',
  ],
  closers: [
    'Wash cold with a technical cleaner and tumble dry low to revive the finish.',
    'Covered by our lifetime repair promise.',
    'Packs into its own pocket for the days the sun wins.',
  ],
  types: [
    {
      noun: 'Shell Jacket', code: 'SHELL', priceUsd: [179, 349], axis: apparelSizeAxis,
      materials: ['three-layer recycled nylon', 'two-and-a-half-layer nylon ripstop', 'stretch polyester with a PFC-free membrane'],
      weightGrams: [290, 480], modifiers: ['Waterproof', 'Stretch', 'Storm'],
      features: [
        'A helmet-compatible hood adjusts with one hand.',
        'Pit zips dump heat on the climb without letting rain in.',
        'Taped seams and a laminated chest pocket keep a phone dry in a downpour.',
      ],
      attributes: { waterproofing: ['20,000 mm', '28,000 mm'], fit: ['Regular', 'Athletic'] },
    },
    {
      noun: 'Down Parka', code: 'PARKA', priceUsd: [249, 449], axis: apparelSizeAxis,
      materials: ['recycled polyester with 700-fill responsibly sourced down', 'nylon taffeta with 800-fill down'],
      weightGrams: [780, 1250], modifiers: ['Expedition', 'Arctic', 'City'],
      features: [
        'Baffled construction keeps the down where the warmth is needed.',
        'A fleece-lined handwarmer pocket waits for cold fingers.',
        'The hip-length cut covers the gap a harness or a bike seat leaves.',
      ],
      attributes: { fill: ['700 fill power', '800 fill power'], fit: ['Relaxed'] },
    },
    {
      noun: 'Insulated Jacket', code: 'INSUL', priceUsd: [149, 259], axis: apparelSizeAxis,
      materials: ['ripstop nylon with synthetic insulation', 'recycled polyester with 80 g synthetic fill'],
      weightGrams: [340, 560], modifiers: ['Belay', 'Packable', 'Hybrid'],
      features: [
        'Synthetic fill keeps insulating when it gets damp.',
        'Stretch side panels let it move with you on a scramble.',
      ],
      attributes: { fit: ['Regular', 'Athletic'] },
    },
    {
      noun: 'Rain Jacket', code: 'RAIN', priceUsd: [99, 179], axis: apparelSizeAxis,
      materials: ['two-layer recycled nylon', 'coated polyester'],
      weightGrams: [230, 380], modifiers: ['Packable', 'Commuter', 'Lightweight'],
      features: [
        'It stuffs into its own hand pocket, clip loop included.',
        'A dropped hem keeps a wet saddle or a wet bench at bay.',
      ],
      attributes: { waterproofing: ['10,000 mm', '15,000 mm'] },
    },
    {
      noun: 'Softshell Jacket', code: 'SOFTSHELL', priceUsd: [119, 199], axis: apparelSizeAxis,
      materials: ['double-weave stretch nylon', 'brushed-back polyester softshell'],
      weightGrams: [360, 520], modifiers: ['Alpine', 'Guide', 'Windproof'],
      features: [
        'It breathes through hard effort and shrugs off spindrift and light showers.',
        'Four-way stretch means no fighting the fabric on a high step.',
      ],
    },
    {
      noun: 'Fleece Jacket', code: 'FLEECE', priceUsd: [69, 129], axis: apparelSizeAxis,
      materials: ['recycled high-pile fleece', 'grid fleece', '300-weight polyester fleece'],
      weightGrams: [280, 520], modifiers: ['High-Pile', 'Grid', 'Classic'],
      features: [
        'Zip chest pocket, zip hand pockets and a collar that stays up.',
        'Warm enough for camp, breathable enough for the hike out.',
      ],
    },
    {
      noun: 'Wind Shell', code: 'WIND', priceUsd: [79, 139], axis: apparelSizeAxis,
      materials: ['15-denier ripstop nylon', 'air-permeable polyester'],
      weightGrams: [95, 160], modifiers: ['Ultralight', 'Trail', 'Featherweight'],
      features: [
        'It blocks a ridge-top gust and disappears into a fist-sized stuff sack.',
        'A durable water repellent finish handles a passing shower.',
      ],
    },
    {
      noun: 'Down Vest', code: 'VEST', priceUsd: [99, 169], axis: apparelSizeAxis,
      materials: ['recycled nylon with 700-fill down', 'ripstop with 650-fill down'],
      weightGrams: [190, 320], modifiers: ['Packable', 'Quilted', 'Camp'],
      features: [
        'Core warmth without bulk in the arms, for cold mornings and hard climbs.',
        'It layers under a shell without bunching.',
      ],
    },
  ],
};

export const footwear: CategorySpec = {
  category: {
    slug: 'footwear',
    name: 'Footwear',
    description: 'Boots, trail runners and camp shoes built to be worn hard and resoled.',
    position: 2,
  },
  skuPrefix: 'FTW',
  openers: [
    'The {title} is made for miles that do not come with pavement.',
    'From the first switchback to the last, the {title} keeps its grip.',
    'The {title} is {aNoun} that feels broken in on the first day.',
    'Light underfoot and steady on loose ground, the {title} does the quiet work.',
  ],
  closers: [
    'Half sizes run true; if you are between sizes, go up.',
    'The outsole can be resoled by our repair partners.',
    'Brush off dried mud and let them air dry away from direct heat.',
  ],
  types: [
    {
      noun: 'Hiking Boot', code: 'BOOT', priceUsd: [149, 249], axis: shoeSizeAxis,
      materials: ['full-grain leather', 'nubuck leather and a waterproof membrane', 'suede and recycled mesh'],
      weightGrams: [520, 760], modifiers: ['Waterproof', 'Backpacking', 'Leather'],
      features: [
        'A stiff midsole spreads the weight of a loaded pack.',
        'A rubber toe cap shrugs off roots and rock.',
        'Lace hooks lock the heel in place on long descents.',
      ],
      attributes: { heelToToeDrop: ['10 mm', '12 mm'], outsole: ['Lugged rubber'] },
    },
    {
      noun: 'Trail Runner', code: 'TRAILRUN', priceUsd: [119, 169], axis: shoeSizeAxis,
      materials: ['engineered mesh', 'recycled knit upper'],
      weightGrams: [260, 340], modifiers: ['Grip', 'Fell', 'Distance'],
      features: [
        'Five-millimetre lugs bite into mud and shed it again.',
        'A rock plate takes the sting out of sharp scree.',
        'The wide toe box lets feet swell on long days.',
      ],
      attributes: { heelToToeDrop: ['4 mm', '6 mm', '8 mm'] },
    },
    {
      noun: 'Approach Shoe', code: 'APPROACH', priceUsd: [129, 179], axis: shoeSizeAxis,
      materials: ['suede leather', 'synthetic leather and mesh'],
      weightGrams: [380, 460], modifiers: ['Sticky', 'Scramble', 'Granite'],
      features: [
        'Sticky rubber and a climbing zone at the toe make easy slabs feel easier.',
        'Heel loops let it clip to a harness on the route.',
      ],
    },
    {
      noun: 'Winter Boot', code: 'WINTERBOOT', priceUsd: [169, 259], axis: shoeSizeAxis,
      materials: ['waterproof leather with a wool felt liner', 'insulated nylon and rubber'],
      weightGrams: [780, 1020], modifiers: ['Insulated', 'Snow', 'Frost'],
      features: [
        'Rated for comfort well below freezing.',
        'A gusseted tongue keeps snow out when you post-hole.',
      ],
    },
    {
      noun: 'Trail Sandal', code: 'SANDAL', priceUsd: [59, 99], axis: shoeSizeAxis,
      materials: ['recycled polyester webbing', 'vegan leather straps'],
      weightGrams: [220, 300], modifiers: ['River', 'Camp', 'Adjustable'],
      features: [
        'Three adjustment points dial in the fit, wet or dry.',
        'It drains in seconds after a river crossing.',
      ],
    },
    {
      noun: 'Mid Hiker', code: 'MID', priceUsd: [139, 199], axis: shoeSizeAxis,
      materials: ['recycled mesh and suede', 'nubuck leather'],
      weightGrams: [420, 540], modifiers: ['Waterproof', 'Lightweight', 'Vented'],
      features: [
        'A mid-height collar supports the ankle without a boot break-in.',
        'A cushioned midsole keeps the last mile as comfortable as the first.',
      ],
    },
    {
      noun: 'Camp Shoe', code: 'CAMPSHOE', priceUsd: [49, 89], axis: shoeSizeAxis,
      materials: ['quilted ripstop with synthetic fill', 'boiled wool'],
      weightGrams: [180, 280], modifiers: ['Insulated', 'Packable', 'Cabin'],
      features: [
        'A collapsible heel slips on at the tent door.',
        'The thin rubber sole packs flat and handles a gravel campsite.',
      ],
    },
  ],
};

export const apparel: CategorySpec = {
  category: {
    slug: 'apparel',
    name: 'Apparel',
    description: 'Merino, flannel and trail-ready basics that work as well in town as on the hill.',
    position: 8,
  },
  skuPrefix: 'APP',
  openers: [
    'The {title} is the piece you will pack for every trip.',
    'Soft, quick to dry and easy to live in: that is the {title}.',
    'The {title} moves from trailhead to taproom without a change.',
    'Our {title} is {aNoun} made to be worn, washed and worn again.',
  ],
  closers: [
    'Machine wash cold and hang to dry.',
    'Pre-washed, so the fit you buy is the fit you keep.',
    'Made in a Fair Trade Certified factory.',
  ],
  types: [
    {
      noun: 'Merino Tee', code: 'TEE', priceUsd: [59, 89], axis: apparelSizeAxis,
      materials: ['150 g/m² merino wool', 'merino and Tencel blend'],
      weightGrams: [120, 170], modifiers: ['Lightweight', 'Everyday', 'Trail'],
      features: [
        'Merino resists odour, so it lasts a multi-day trip.',
        'Flatlock seams sit smoothly under pack straps.',
      ],
    },
    {
      noun: 'Hiking Pant', code: 'PANTS', priceUsd: [79, 119], axis: { key: 'size', values: ['28', '30', '32', '34', '36', '38'], countRange: [3, 4], mode: 'window' },
      materials: ['stretch nylon', 'organic cotton canvas with elastane'],
      weightGrams: [290, 420], modifiers: ['Stretch', 'Convertible', 'Canvas'],
      features: [
        'A gusseted crotch and articulated knees keep every step free.',
        'A zip thigh pocket holds a phone where it will not bounce.',
      ],
      attributes: { inseam: ['30 in', '32 in'] },
    },
    {
      noun: 'Flannel Shirt', code: 'FLANNEL', priceUsd: [59, 89], axis: apparelSizeAxis,
      materials: ['organic cotton flannel', 'brushed cotton and recycled polyester'],
      weightGrams: [320, 420], modifiers: ['Heavyweight', 'Brushed', 'Plaid'],
      features: [
        'Brushed on both sides for warmth around a fire.',
        'Double-stitched seams for the long haul.',
      ],
    },
    {
      noun: 'Base Layer Crew', code: 'BASELAYER', priceUsd: [69, 99], axis: apparelSizeAxis,
      materials: ['200 g/m² merino wool', 'merino-core nylon'],
      weightGrams: [170, 240], modifiers: ['Midweight', 'Thermal', 'Seamless'],
      features: [
        'It keeps you warm when wet and regulates when you warm up.',
        'A longer back hem stays tucked on the move.',
      ],
    },
    {
      noun: 'Trail Short', code: 'SHORTS', priceUsd: [49, 69], axis: apparelSizeAxis,
      materials: ['quick-dry nylon', 'recycled polyester ripstop'],
      weightGrams: [110, 180], modifiers: ['Running', 'Stretch', 'Lined'],
      features: [
        'A seven-inch inseam and a stretch waistband for long strides.',
        'Side pockets hold a bar or a map without flapping.',
      ],
    },
    {
      noun: 'Hoodie', code: 'HOODIE', priceUsd: [69, 99], axis: apparelSizeAxis,
      materials: ['organic cotton French terry', 'recycled cotton fleece'],
      weightGrams: [480, 620], modifiers: ['Heavyweight', 'Camp', 'Classic'],
      features: [
        'A lined hood and a kangaroo pocket for cold camp mornings.',
        'Rib cuffs keep their shape wash after wash.',
      ],
    },
    {
      noun: 'Sun Hoody', code: 'SUNHOODY', priceUsd: [49, 79], axis: apparelSizeAxis,
      materials: ['UPF 50 polyester knit', 'cooling nylon jersey'],
      weightGrams: [140, 200], modifiers: ['Lightweight', 'Desert', 'Coastal'],
      features: [
        'A fitted hood and thumb loops cover what sunscreen misses.',
        'It dries in minutes after a swim.',
      ],
      attributes: { protection: ['UPF 50+'] },
    },
  ],
};

export const accessories: CategorySpec = {
  category: {
    slug: 'accessories',
    name: 'Accessories',
    description: 'Hats, gloves, poles and the small things that make a long day better.',
    position: 6,
  },
  skuPrefix: 'ACC',
  openers: [
    'Small thing, big difference: the {title}.',
    'Easy to forget until you need it: the {title}.',
    'Every trip has a spot for the {title}, usually the lid pocket.',
  ],
  closers: [
    'Makes a good gift for anyone who spends weekends outside.',
    'Backed by our no-questions return policy.',
    'Hand wash or rinse and let it air dry.',
  ],
  types: [
    {
      noun: 'Beanie', code: 'BEANIE', priceUsd: [24, 39], axis: colorAxis,
      materials: ['ribbed merino wool', 'recycled acrylic and wool'],
      weightGrams: [60, 95], modifiers: ['Ribbed', 'Fisherman', 'Merino'],
      features: ['A fold-up cuff doubles the warmth over the ears.', 'It fits under a helmet without a pressure point.'],
    },
    {
      noun: 'Sunglasses', code: 'SUNGLASS', priceUsd: [79, 149], axis: colorAxis,
      materials: ['bio-based nylon frames with polarised lenses', 'recycled acetate with glass lenses'],
      weightGrams: [24, 38], modifiers: ['Polarised', 'Glacier', 'Sport'],
      features: ['Category 3 lenses cut glare off water and snow.', 'Rubber nose pads hold them steady on a run.'],
    },
    {
      noun: 'Trekking Pole Set', code: 'POLES', priceUsd: [79, 169], axis: { key: 'size', values: ['105-125 cm', '110-135 cm', '115-140 cm'], countRange: [1, 2], mode: 'window' },
      materials: ['carbon fibre', '7075 aluminium'],
      weightGrams: [380, 540], modifiers: ['Folding', 'Carbon', 'Telescoping'],
      features: ['Lever locks adjust with gloves on.', 'Cork grips wick sweat and mould to your hands.'],
      attributes: { sold: ['As a pair'] },
    },
    {
      noun: 'Glove', code: 'GLOVES', priceUsd: [34, 79], axis: { key: 'size', values: ['XS', 'S', 'M', 'L', 'XL'], countRange: [3, 4], mode: 'window' },
      materials: ['goat leather and softshell', 'windproof fleece', 'waterproof nylon with synthetic insulation'],
      weightGrams: [60, 160], modifiers: ['Touchscreen', 'Insulated', 'Liner'],
      features: ['Touchscreen-ready fingertips spare you taking them off.', 'A wrist leash keeps them with you on a chairlift.'],
    },
    {
      noun: 'Neck Gaiter', code: 'GAITER', priceUsd: [19, 29], axis: colorAxis,
      materials: ['merino jersey', 'recycled polyester microfleece'],
      weightGrams: [35, 70], modifiers: ['Merino', 'Fleece', 'Reversible'],
      features: ['Wear it as a neckband, a headband or a face cover.', 'Seamless tube, no itchy edges.'],
    },
    {
      noun: 'Trail Cap', code: 'CAP', priceUsd: [24, 34], axis: colorAxis,
      materials: ['recycled nylon', 'organic cotton twill'],
      weightGrams: [50, 80], modifiers: ['Five-Panel', 'Mesh', 'Packable'],
      features: ['A soft brim crushes into a pocket and pops back.', 'A sweat-wicking band keeps salt out of your eyes.'],
    },
    {
      noun: 'Hiking Sock', code: 'SOCKS', priceUsd: [18, 26], axis: { key: 'size', values: ['S', 'M', 'L', 'XL'], countRange: [3, 3], mode: 'window' },
      materials: ['merino wool and nylon', 'recycled wool blend'],
      weightGrams: [60, 90], modifiers: ['Cushioned', 'Crew', 'Lightweight'],
      features: ['Targeted cushioning under the heel and ball of the foot.', 'A seamless toe means no rubbing on the downhill.'],
    },
    {
      noun: 'Webbing Belt', code: 'BELT', priceUsd: [29, 49], axis: { key: 'size', values: ['S', 'M', 'L', 'XL'], countRange: [3, 3], mode: 'window' },
      materials: ['recycled nylon webbing with an aluminium buckle', 'stretch webbing'],
      weightGrams: [60, 110], modifiers: ['Stretch', 'Travel', 'Low-Profile'],
      features: ['A low-profile buckle sits flat under a hip belt.', 'It clears airport security without coming off.'],
    },
  ],
};
